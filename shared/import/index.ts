// The import capability's public face: parsed source files (blackbox.yml, prometheus.yml, alertmanager.yml)
// in, a targets file (as YAML text, validated with the same schema as every other targets file), the stage
// params and a report out (import-setup.ts, pure); reading the files and file_sd globs is read-sources.ts' job.
export { importSetup, type ImportOptions, type ImportResult, type ImportSources } from './import-setup.js';
export { ImportReport, formatReport, secretHint, type ReportItem, type ReportKind } from './report.js';
export { SourceFile, SourceSyntaxError } from './source.js';
export { fileSdPatterns } from './scrape-jobs.js';
