import type {
  SafetyFileFinding,
  SafetyImport,
  SerializationSafety,
} from '@mlplatform/plugin-ml-platform-common';

const RISK_ORDER = { dangerous: 0, suspicious: 1, innocuous: 2 };
const SAFETY_ORDER: Record<SerializationSafety, number> = {
  unsafe: 0,
  unknown: 1,
  safe: 2,
};
/** Imports listed per file; a file with more is summarized by the first ones. */
const MAX_IMPORTS_LISTED = 40;

export function finding(
  path: string,
  format: string,
  safety: SerializationSafety,
  reason: string,
  imports: SafetyImport[] = [],
): SafetyFileFinding {
  const risky = imports
    .filter(i => i.risk !== 'innocuous')
    .sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk]);
  const innocuous = imports.length - risky.length;
  return {
    path,
    format,
    safety,
    reason,
    ...(risky.length > 0 && { imports: risky.slice(0, MAX_IMPORTS_LISTED) }),
    ...(innocuous > 0 && { innocuousImports: innocuous }),
  };
}

/** The findings that decide first: unsafe, then unknown, then safe. */
export function byDecisiveness(a: SafetyFileFinding, b: SafetyFileFinding) {
  return SAFETY_ORDER[a.safety] - SAFETY_ORDER[b.safety];
}

export function worstSafety(
  safeties: SerializationSafety[],
): SerializationSafety {
  if (safeties.includes('unsafe')) return 'unsafe';
  if (safeties.includes('unknown')) return 'unknown';
  return 'safe';
}

export function describeImports(imports: SafetyImport[]): string {
  const risky = imports.filter(i => i.risk !== 'innocuous');
  const shown = risky
    .slice(0, 5)
    .map(i => `${i.module}.${i.name} (${i.risk})`)
    .join(', ');
  return risky.length > 5 ? `${shown} and ${risky.length - 5} more` : shown;
}
