import type { ReactNode } from 'react';
import { Flex, Link, Text } from '@backstage/ui';
import type {
  ResultHighlight,
  SearchDocument,
} from '@backstage/plugin-search-common';
import { HighlightedSearchResultText } from '@backstage/plugin-search-react';
import type { MlModelSearchDocument } from '@mlplatform/plugin-ml-platform-common';
import { SafetyBadge } from '../shared';

const highlighted = (
  field: 'title' | 'text',
  plain: string,
  highlight?: ResultHighlight,
) =>
  highlight?.fields[field] ? (
    <HighlightedSearchResultText
      text={highlight.fields[field]}
      preTag={highlight.preTag}
      postTag={highlight.postTag}
    />
  ) : (
    plain
  );

/**
 * A registered model or one of its versions among the portal's search
 * results: its name linking to the model's page, what it is, its
 * serialization verdict, owner and aliases.
 */
export const ModelSearchResultListItem = ({
  result,
  highlight,
  icon,
}: {
  result?: SearchDocument;
  highlight?: ResultHighlight;
  icon?: ReactNode;
}) => {
  if (!result) {
    return null;
  }
  const doc = result as MlModelSearchDocument;
  const facts = [
    doc.kind === 'version' ? 'model version' : 'registered model',
    doc.owner && `owner ${doc.owner}`,
    doc.aliases.length > 0 && `aliases ${doc.aliases.join(', ')}`,
    `registry ${doc.registryId}`,
  ].filter(Boolean);
  return (
    <Flex gap="3" py="3" align="start">
      {icon && <div aria-hidden>{icon}</div>}
      <Flex direction="column" gap="1">
        <Link href={doc.location} variant="title-x-small">
          {highlighted('title', doc.title, highlight)}
        </Link>
        <Text variant="body-small" color="secondary">
          {highlighted('text', doc.text, highlight)}
        </Text>
        <Flex gap="2" align="center">
          <SafetyBadge
            safety={doc.safety}
            reason={doc.safetyReason || undefined}
          />
          <Text variant="body-x-small" color="secondary">
            {facts.join(' · ')}
          </Text>
        </Flex>
      </Flex>
    </Flex>
  );
};
