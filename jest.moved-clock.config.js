import base from './jest.config.js';

/**
 * The suite `.ci/run` repeats with the clock moved forward (+45 and +400 days, libfaketime).
 * Every test file is in it unless it is listed here as one whose subject holds no date or time
 * (authorization, input checking, schema, process faults, load): new files are moved by default.
 */
const DATE_FREE = [
  'role-matrix', // who may do what
  'role-matrix-actions',
  'bad-input', // values refused on the field
  'http-fuzz', // malformed requests
  'browser/escaping', // markup stored and shown as text
  'browser/panel', // every list and form opens
  // Journeys whose screens show only times the server formats (tested moved without a browser);
  // My work, the dashboard and the printed traveler, which compute with today, stay in.
  'browser/approval',
  'browser/history',
  'browser/traveler-lifecycle',
  'schema-matches-models',
  'model-validation',
  'database-constraints',
  'config',
  'embedded-postgres',
  'faults', // killed processes and connections
  'pgbouncer', // pooling; its dated parts (sessions, History, sealing) are moved in their own files
  'read-replica', // where reads go; the lists and exports it reads are moved in their own files
  'load', // concurrency
  'list-count',
  'refused-pages', // which role may open which page
  'picker-access',
  'browser/accessibility', // axe's rules and element roles
  // Browser walks whose dated parts are proven moved over HTTP (global-search, list-export,
  // routing-editor, readable-values, record-numbers): the page only shows what those serve.
  'browser/global-search',
  'browser/approver-journey',
  'browser/admin-journey',
  'browser/routing-editor',
  'browser/readable-values',
  'browser/panel-finding',
];

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', ...DATE_FREE.map((name) => `/test/${name}\\.test\\.ts$`)],
};
