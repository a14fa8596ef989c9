/**
 * A request's query that cannot be answered as asked (a filter or search text out of bounds):
 * answered 400 with the message as the reason. Each kind of query has its own subclass, so a
 * route catches only the refusals of the query it answers.
 */
export class BadQueryError extends Error {
  readonly status = 400;
}
