// What the import did, item by item: mapped exactly, approximated (imported, but not identical), left out
// (not imported; `--strict` fails on these), refused (the source itself is invalid: blackbox_exporter or
// Prometheus would not load it; `--strict` fails on these too), and the secrets that became references with
// where the value goes. Every item says where in the source it came from (file:line).

export type ReportKind = 'mapped' | 'approximated' | 'left_out' | 'refused';

export interface ReportItem {
  kind: ReportKind;
  /** file:line in the source. */
  where: string;
  message: string;
}

export interface SecretNote {
  /** The reference written into the output, e.g. ssm:/periscope/prod/http-auth-password. */
  ref: string;
  where: string;
  /** What the secret is (never its value). */
  what: string;
}

export class ImportReport {
  readonly items: ReportItem[] = [];
  readonly secrets: SecretNote[] = [];

  mapped(where: string, message: string): void {
    this.items.push({ kind: 'mapped', where, message });
  }

  approximated(where: string, message: string): void {
    this.items.push({ kind: 'approximated', where, message });
  }

  leftOut(where: string, message: string): void {
    this.items.push({ kind: 'left_out', where, message });
  }

  /** What the reference (blackbox_exporter, Prometheus) refuses to load; nothing of it is imported. */
  refused(where: string, message: string): void {
    this.items.push({ kind: 'refused', where, message });
  }

  secret(note: SecretNote): void {
    if (!this.secrets.some((s) => s.ref === note.ref)) this.secrets.push(note);
  }

  count(kind: ReportKind): number {
    return this.items.filter((item) => item.kind === kind).length;
  }
}

const HEADINGS: Record<ReportKind, string> = {
  mapped: 'Mapped',
  approximated: 'Approximated (imported, not identical)',
  left_out: 'Left out (not imported)',
  refused: 'Refused (invalid: the reference would not load it; fix the source)',
};

/** Where a secret reference's value goes, as a command to run. */
export function secretHint(ref: string): string {
  if (ref.startsWith('ssm:')) return `aws ssm put-parameter --type SecureString --name ${ref.slice(4)} --value '…'`;
  if (ref.startsWith('env:')) return `export ${ref.slice(4)}='…' (or change it to ssm:/periscope/<stage>/… for Lambda)`;
  return `put the value in ${ref.slice(5)}`;
}

export function formatReport(report: ImportReport): string {
  const out: string[] = [];
  for (const kind of ['mapped', 'approximated', 'left_out', 'refused'] as const) {
    const items = report.items.filter((item) => item.kind === kind);
    if (kind === 'refused' && items.length === 0) continue;
    out.push(`${HEADINGS[kind]}: ${items.length}`);
    for (const item of items) out.push(`  ${item.where}: ${item.message}`);
  }
  if (report.secrets.length > 0) {
    out.push(`Secrets (never copied; set each value before deploying): ${report.secrets.length}`);
    for (const note of report.secrets) out.push(`  ${note.where}: ${note.what} → ${note.ref}\n      ${secretHint(note.ref)}`);
  }
  return out.join('\n');
}
