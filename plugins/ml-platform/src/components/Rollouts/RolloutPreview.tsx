import { Flex, Text } from '@backstage/ui';
import { TrafficRouterRef } from '@mlplatform/plugin-ml-platform-common';
import { formatDuration, TrafficSplitBar } from '../shared';
import { RolloutDraft } from './RolloutDraft';
import { Percents } from './splitMath';

const toBars = (percents: Percents) =>
  Object.entries(percents).map(([version, percent]) => ({ version, percent }));

/** Exactly what Apply changes: the object, each version's share before and after, the alias. */
export const RolloutPreview = ({
  draft,
  before,
  after,
  router,
  aliasMove,
}: {
  draft: RolloutDraft;
  before: Percents;
  /** Missing when the outcome is not known yet (a rollback whose history is loading). */
  after?: Percents;
  router: TrafficRouterRef;
  aliasMove?: { alias: string; from?: string; to: string };
}) => {
  const versions = [
    ...new Set([...Object.keys(before), ...Object.keys(after ?? {})]),
  ];
  return (
    <section aria-label="Preview">
      <Flex direction="column" gap="2">
        <Text as="h3" variant="title-x-small">
          Preview
        </Text>
        <Text variant="body-small">
          Writes {router.kind} {router.name}
          {router.managedBy
            ? ` (managed by ${router.managedBy}: the backend refuses direct changes unless its config allows them for this cluster)`
            : ''}
        </Text>
        {draft.preset === 'gradual' ? (
          <Text variant="body-small">
            {`v${draft.candidate}: `}
            {draft.steps
              .map(
                s =>
                  `${s.percent}%${
                    s.waitSeconds > 0
                      ? `, wait ${formatDuration(s.waitSeconds)}`
                      : ''
                  }`,
              )
              .join(' → ')}
          </Text>
        ) : (
          <>
            {after && <TrafficSplitBar versions={toBars(after)} />}
            <ul aria-label="Changes" style={{ margin: 0, paddingLeft: 16 }}>
              {versions.map(v => (
                <li key={v}>
                  <Text variant="body-small">
                    {`v${v}: ${before[v] ?? 0}% → ${
                      after ? `${after[v] ?? 0}%` : '…'
                    }`}
                  </Text>
                </li>
              ))}
            </ul>
          </>
        )}
        {aliasMove && (
          <Text variant="body-small">
            {`Alias ${aliasMove.alias}: ${
              aliasMove.from ? `v${aliasMove.from}` : 'unset'
            } → v${aliasMove.to}`}
          </Text>
        )}
      </Flex>
    </section>
  );
};
