import type {
  SafetyFileFinding,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';
import { byDecisiveness, worstSafety } from './formats/findings';
import type { MlModelFacts } from './readMlModel';

const FILES_KEPT = 200;
const RELOG =
  "Re-log the model in a format that loads without running code (ONNX, skops, safetensors or the framework's native format).";

/**
 * The verdict of a version whose files were read: `unsafe` when the MLmodel
 * declares code to run or any file would run code, `unknown` when any file
 * could not be judged, else `safe`.
 */
export function judgeFromBytes(options: {
  facts: MlModelFacts;
  files: SafetyFileFinding[];
  fileCount: number;
  bytesRead: number;
  checkedAt: string;
}): SafetyVerdict {
  const { facts, fileCount, bytesRead, checkedAt } = options;
  const files = [...options.files].sort(byDecisiveness);
  const fromFiles = worstSafety(files.map(f => f.safety));
  const safety = facts.codeHooks.length > 0 ? 'unsafe' : fromFiles;
  const deciding = files.filter(
    f => f.safety === fromFiles && f.safety !== 'safe',
  );
  const fileReasons = deciding
    .slice(0, 3)
    .map(f => `${f.path}: ${f.reason.replace(/\.$/, '')}`);
  const more =
    deciding.length > 3 ? ` (and ${deciding.length - 3} more files)` : '';

  let reason: string;
  if (safety === 'unsafe') {
    const parts = [
      ...facts.codeHooks,
      ...(fromFiles === 'unsafe' ? fileReasons : []),
    ];
    reason = `Loading runs code the model's author chose: ${parts.join('; ')}${
      fromFiles === 'unsafe' ? more : ''
    }. ${RELOG}`;
  } else if (safety === 'unknown') {
    reason = `Not every file could be checked: ${fileReasons.join(
      '; ',
    )}${more}.`;
  } else {
    const formats = [...new Set(files.map(f => f.format))].filter(
      f => f !== 'text' && f !== 'data',
    );
    reason = `Read ${fileCount} files, data only${
      formats.length ? ` (${formats.join(', ')})` : ''
    }: loading runs no code from the model.`;
  }
  return {
    safety,
    reason,
    flavors: facts.flavors,
    source: 'bytes',
    ...(facts.codeHooks.length > 0 && { codeHooks: facts.codeHooks }),
    files: files.slice(0, FILES_KEPT),
    fileCount,
    bytesRead,
    checkedAt,
  };
}

/**
 * The verdict when only the MLmodel file could be read: what it declares
 * (a pickle, a code hook) makes it `unsafe`; nothing else can make it safe.
 */
export function judgeFromMetadata(
  facts: MlModelFacts,
  whyNoBytes: string,
  checkedAt: string,
): SafetyVerdict {
  const declared = [...facts.codeHooks, ...facts.pickleDeclarations];
  const base = {
    flavors: facts.flavors,
    source: 'metadata' as const,
    ...(facts.codeHooks.length > 0 && { codeHooks: facts.codeHooks }),
    files: [],
    checkedAt,
  };
  if (declared.length > 0) {
    return {
      ...base,
      safety: 'unsafe',
      reason: `Loading runs code, as the MLmodel file declares: ${declared.join(
        '; ',
      )}. ${RELOG}`,
    };
  }
  return {
    ...base,
    safety: 'unknown',
    reason: `The artifact's files could not be read (${whyNoBytes}), and the MLmodel file alone cannot show that loading runs no code.`,
  };
}
