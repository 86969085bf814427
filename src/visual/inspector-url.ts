/** Where the Stately inspector lives (needs internet), and the local bridge's default port. */
export const HOSTED_INSPECTOR_URL = 'https://stately.ai/inspect';
export const DEFAULT_INSPECTOR_PORT = 8080;
