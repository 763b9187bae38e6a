import { Flex, Link, Text, VisuallyHidden } from '@backstage/ui';

/**
 * A link into one of the platform's tools (MLflow, ZenML, lakeFS), opening the
 * tool's own page in a new tab. When the tool could not be asked, the id is
 * still shown, with why there is no link.
 */
export const ToolLink = ({
  label,
  forVersion,
  href,
  detail,
  error,
}: {
  /** Names the tool, e.g. "ZenML run": the start of the link's accessible name. */
  label: string;
  forVersion: string;
  href?: string;
  /** The run name or commit id next to the link. */
  detail?: string;
  error?: string;
}) => (
  <Flex direction="column" gap="0">
    {href && !error ? (
      <Link
        href={href}
        target="_blank"
        rel="noopener noreferrer"
        variant="body-small"
        style={{ whiteSpace: 'nowrap' }}
      >
        {label}
        <VisuallyHidden> of v{forVersion} (opens in a new tab)</VisuallyHidden>
      </Link>
    ) : (
      <Text variant="body-small" weight="bold" style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Text>
    )}
    {detail && (
      <Text variant="body-x-small" color="secondary" truncate title={detail}>
        {detail}
      </Text>
    )}
    {error && (
      <Text variant="body-x-small" color="warning" role="status">
        ⚠ {error}
      </Text>
    )}
  </Flex>
);
