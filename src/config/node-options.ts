/**
 * V8 heap limits for the production server (the Dockerfile sets them as NODE_OPTIONS; the
 * benchmark runs the built app with the same). Without them V8 lets the heap grow to hundreds
 * of megabytes under load before collecting; with them the server stays under 200 MB at the
 * same throughput (docs/benchmarks.md). Old space 192 MB leaves room for the largest thing the
 * server holds at once (a History page of 1,000 changes, a dashboard), which is a few MB.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-old-space-size=192 --max-semi-space-size=8';
