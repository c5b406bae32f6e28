// Uptime, incidents and alerts from what Periscope writes to VictoriaMetrics: shared by the monthly report,
// the web UI and the status page. Pure counting lives in uptime.ts, incidents.ts and alerts.ts
// (alertEpisodes); the collect* functions query through a MetricsReader.
export { catalogFromFile, catalogKey, emptyCatalog, type Catalog, type TargetInfo } from './catalog.js';
export { computeUptime, errorBudget, type ErrorBudget, type Uptime } from './uptime.js';
export { findIncidents, probePoints, type Incident, type ProbePoint } from './incidents.js';
export { monthPeriod, PeriodError, type Period } from './period.js';
export { humanDuration, percent, utcTime } from './durations.js';
export { collectOverview, overviewQueries, UPTIME_WINDOWS, type Overview, type OverviewFilter, type TargetStatus } from './overview.js';
export { activeAlerts, alertHistory, alertSeries, episodesOf, historyGrid, ACTIVE_WINDOW_MS, type ActiveAlert, type AlertEpisode } from './alerts.js';
export { collectTargetDetail, type LastProbe, type TargetDetail, type TargetRef } from './target-detail.js';
export { collectMonthlyReport, type MonthlyReport, type ReportRow } from './monthly.js';
export { formatReport, REPORT_FORMATS, type ReportFormat } from './report-format.js';
export { createVmReader, selector, type MetricsReader } from './vm-reader.js';
