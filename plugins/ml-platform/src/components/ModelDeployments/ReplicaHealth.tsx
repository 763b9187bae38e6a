import { Text } from '@backstage/ui';
import { ModelWorkload } from '@mlplatform/plugin-ml-platform-common';

const healthOf = (w: ModelWorkload) => {
  if (w.replicas === 0) {
    return { color: 'secondary', text: 'scaled to 0' } as const;
  }
  const text = `${w.readyReplicas}/${w.replicas} ready`;
  if (w.readyReplicas >= w.replicas) {
    return { color: 'success', text } as const;
  }
  return { color: w.readyReplicas === 0 ? 'danger' : 'warning', text } as const;
};

/** "2/3 ready", green when all replicas are ready, amber when some, red when none. */
export const ReplicaHealth = ({ workload }: { workload?: ModelWorkload }) => {
  if (!workload) {
    return (
      <Text variant="body-small" color="warning">
        no workload found
      </Text>
    );
  }
  const { color, text } = healthOf(workload);
  return (
    <Text variant="body-small" color={color} weight="bold" data-health={color}>
      {text}
    </Text>
  );
};
