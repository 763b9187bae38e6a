import { Flex, Text } from '@backstage/ui';
import {
  SafetyFileFinding,
  SafetyVerdict,
} from '@mlplatform/plugin-ml-platform-common';

const RISK_COLOR = {
  dangerous: 'danger',
  suspicious: 'warning',
  innocuous: 'secondary',
} as const;

const FileLine = ({ file }: { file: SafetyFileFinding }) => (
  <li>
    <Text variant="body-x-small">
      <b>{file.path}</b> · {file.format} · {file.safety}
      {file.size !== undefined && ` · ${formatBytes(file.size)}`}: {file.reason}
    </Text>
    {file.imports && file.imports.length > 0 && (
      <ul aria-label={`Imports of ${file.path}`}>
        {file.imports.map(i => (
          <li key={`${i.module}.${i.name}`}>
            <Text variant="body-x-small" color={RISK_COLOR[i.risk]}>
              <code>
                {i.module}.{i.name}
              </code>{' '}
              {i.risk}
            </Text>
          </li>
        ))}
      </ul>
    )}
    {file.innocuousImports ? (
      <Text variant="body-x-small" color="secondary">
        {' '}
        and {file.innocuousImports} data-only imports
      </Text>
    ) : null}
  </li>
);

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * The evidence behind a verdict: where it came from, what the MLmodel file
 * declares that runs code, and the files and imports that decided it; the
 * files that hold data only are folded away.
 */
export const VerdictEvidence = ({ verdict }: { verdict: SafetyVerdict }) => {
  const files = verdict.files ?? [];
  const deciding = files.filter(f => f.safety !== 'safe');
  const rest = files.filter(f => f.safety === 'safe');
  return (
    <Flex direction="column" gap="0.5" align="start">
      <Text variant="body-x-small" color="secondary">
        {verdict.source === 'bytes'
          ? `From the files' bytes: ${verdict.fileCount ?? files.length} files${
              verdict.bytesRead !== undefined
                ? `, ${formatBytes(verdict.bytesRead)} read`
                : ''
            }`
          : 'From the MLmodel file only: the files could not be read'}
      </Text>
      {verdict.codeHooks && verdict.codeHooks.length > 0 && (
        <ul aria-label="Code the MLmodel file runs">
          {verdict.codeHooks.map(h => (
            <li key={h}>
              <Text variant="body-x-small" color="danger">
                {h}
              </Text>
            </li>
          ))}
        </ul>
      )}
      {deciding.length > 0 && (
        <ul aria-label="Files that decided the verdict">
          {deciding.map(f => (
            <FileLine key={f.path} file={f} />
          ))}
        </ul>
      )}
      {rest.length > 0 && (
        <details>
          <summary>
            <Text variant="body-x-small">
              {rest.length} {rest.length === 1 ? 'file' : 'files'} of data only
            </Text>
          </summary>
          <ul aria-label="Files of data only">
            {rest.map(f => (
              <FileLine key={f.path} file={f} />
            ))}
          </ul>
        </details>
      )}
    </Flex>
  );
};
