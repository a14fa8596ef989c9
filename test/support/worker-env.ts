import os from 'node:os';
import path from 'node:path';

// AdminJS writes its component bundle to one folder per process; parallel Jest workers must not
// share (or delete) each other's. Read by adminjs when first imported, so set before any test.
process.env.ADMIN_JS_TMP_DIR = path.join(os.tmpdir(), `nexus-adminjs-${process.pid}`);
