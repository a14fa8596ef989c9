import type AdminJS from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { CONTROL_CHARACTER } from '../records/input-coercion.js';
import { CHOOSABLE_FILTER } from '../records/record-title-sql.js';
import { tileFiltersOf } from '../dashboard/tile-filters.js';

/**
 * Checks a list's query (page, page size, sort, filters) against the resource before AdminJS and
 * its Sequelize adapter see it. Unchecked, a sort by a column that does not exist or a filter of
 * "abc" on a number reaches PostgreSQL and comes back as a server error; here it is a 400 that
 * says which parameter is wrong. Values are never put into SQL text by anyone: the adapter binds
 * them; this is about clear refusals, not escaping.
 */
const MAX_PAGE = 1_000_000;
const MAX_PER_PAGE = 500;
const MAX_FILTER_LENGTH = 200;
const RANGE_SUFFIX = /~~(from|to)$/;

interface PropertyLike {
  type(): string;
  isSortable(): boolean;
  availableValues(): Array<{ value: unknown }> | null;
}

interface ResourceLike {
  id(): string;
  decorate(): {
    getPropertyByKey(key: string): PropertyLike | null;
    getProperties(options: { where: 'filter' | 'list' }): Array<{ propertyPath: string }>;
  };
}

export class BadListQuery extends Error {
  readonly status = 400;
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadListQuery';
  }
}

function checkValue(parameter: string, property: PropertyLike, raw: unknown): void {
  if (Array.isArray(raw) || (raw !== null && typeof raw === 'object')) throw new BadListQuery(parameter, `${parameter} must be a single value`);
  const value = String(raw ?? '');
  if (value.length > MAX_FILTER_LENGTH) throw new BadListQuery(parameter, `${parameter} is longer than ${MAX_FILTER_LENGTH} characters`);
  if (CONTROL_CHARACTER.test(value)) throw new BadListQuery(parameter, `${parameter} contains a control character`);
  if (value === '') return;
  const allowed = property.availableValues();
  if (allowed?.length && !allowed.some((a) => String(a.value) === value)) {
    throw new BadListQuery(parameter, `${parameter} must be one of: ${allowed.map((a) => String(a.value)).join(', ')}`);
  }
  switch (property.type()) {
    case 'number':
    case 'reference':
      if (!/^-?\d{1,10}$/.test(value)) throw new BadListQuery(parameter, `${parameter} must be a whole number`);
      break;
    case 'float':
      if (!Number.isFinite(Number(value))) throw new BadListQuery(parameter, `${parameter} must be a number`);
      break;
    case 'boolean':
      if (!['true', 'false'].includes(value)) throw new BadListQuery(parameter, `${parameter} must be true or false`);
      break;
    case 'date':
    case 'datetime':
      if (Number.isNaN(Date.parse(value))) throw new BadListQuery(parameter, `${parameter} must be a date`);
      break;
    default:
      break;
  }
}

/** Throws BadListQuery for the first parameter that does not fit the resource. */
export function checkListQuery(resource: ResourceLike, query: Record<string, unknown>): void {
  const decorated = resource.decorate();
  const filterable = new Set(decorated.getProperties({ where: 'filter' }).map((p) => p.propertyPath));
  for (const [key, raw] of Object.entries(query)) {
    if (key === 'page' || key === 'perPage') {
      const max = key === 'page' ? MAX_PAGE : MAX_PER_PAGE;
      if (!/^\d{1,7}$/.test(String(raw)) || Number(raw) < 1 || Number(raw) > max) throw new BadListQuery(key, `${key} must be a whole number from 1 to ${max}`);
    } else if (key === 'direction') {
      if (raw !== 'asc' && raw !== 'desc') throw new BadListQuery(key, 'direction must be asc or desc');
    } else if (key === 'sortBy') {
      const property = typeof raw === 'string' ? decorated.getPropertyByKey(raw) : null;
      if (!property || !property.isSortable()) throw new BadListQuery(key, `sortBy must name a column of this list (got "${String(raw).slice(0, 60)}")`);
    } else if (key === 'filters' && raw && typeof raw === 'object') {
      checkListQuery(resource, Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [`filters.${k}`, v])));
    } else if (key.startsWith('filters.')) {
      const path = key.slice('filters.'.length).replace(RANGE_SUFFIX, '');
      // A dashboard tile's named filter (dashboard/tile-filters.ts): on or absent.
      if (path === CHOOSABLE_FILTER || Object.hasOwn(tileFiltersOf(resource.id()), path)) {
        if (raw !== 'true') throw new BadListQuery(key, `${key} must be true`);
        continue;
      }
      const property = filterable.has(path) ? decorated.getPropertyByKey(path) : null;
      if (!property) throw new BadListQuery(key, `${key} is not a filter of this list`);
      checkValue(key, property, raw);
    }
  }
}

/** Express middleware for the list and export routes of every resource. */
export function listQueryGuard(admin: AdminJS) {
  return (req: Request, res: Response, next: NextFunction) => {
    let resource: ResourceLike;
    try {
      resource = admin.findResource(String(req.params.resourceId)) as unknown as ResourceLike;
    } catch {
      return next(); // AdminJS answers an unknown resource itself
    }
    try {
      checkListQuery(resource, req.query as Record<string, unknown>);
      next();
    } catch (error) {
      if (!(error instanceof BadListQuery)) return next(error);
      res.status(400).json({ error: error.message, parameter: error.parameter, requestId: req.nexus?.requestId });
    }
  };
}
