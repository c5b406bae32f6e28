// The public status page: rendering (pure) and publishing through an injected put.
export { publishStatusPage, type PublishResult, type PutObject } from './publish.js';
export { renderStatusPage, type PublicIncident, type StatusPage } from './render.js';
