// Alert annotation and label templates in Go text/template syntax, as Prometheus and vmalert rule files
// write them ({{ $labels.instance }}, {{ $value | humanize }}, {{ if gt $value 100.0 }}…{{ end }}): parsed
// once when the rules load, rendered for every notification (template.ts).
export { executeTemplate, parseTemplate, renderTemplate, validateTemplate, type Template, type TemplateData } from './template.js';
export { TemplateError, TemplateExecError } from './errors.js';
