// The web UI (served by `periscope run` and `periscope ui`) and the page renderers the status page shares.
export { createUiHandler, startUiServer, type UiOptions, type UiServer } from './server.js';
export { parseAllowedHosts } from './request-guard.js';
export { renderOverviewBody, GROUP_BY, type GroupBy, type OverviewView } from './render-overview.js';
export { page, html, escapeHtml } from './html.js';
export { STYLES } from './styles.js';
