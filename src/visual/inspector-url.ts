/** Where the Stately inspector lives (needs internet), and the local bridge's default port. */
export const HOSTED_INSPECTOR_URL = 'https://stately.ai/inspect';
export const DEFAULT_INSPECTOR_PORT = 8080;
/** The bridge listens on this machine only unless `--host` says otherwise. */
export const DEFAULT_INSPECTOR_HOST = '127.0.0.1';
