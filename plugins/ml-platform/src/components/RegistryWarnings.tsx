import { WarningPanel } from '@backstage/core-components';
import { ModelRegistryStatus } from '@mlplatform/plugin-ml-platform-common';

/** Says which registries failed, so fewer rows are never mistaken for fewer models. */
export const RegistryWarnings = ({
  registries,
}: {
  registries: ModelRegistryStatus[];
}) => {
  const failed = registries.filter(r => !r.ok);
  if (failed.length === 0) {
    return null;
  }
  return (
    <WarningPanel
      severity="warning"
      defaultExpanded
      title={`Showing models of ${registries.length - failed.length} of ${
        registries.length
      } registries`}
    >
      {failed.map(r => (
        <div key={r.id}>
          {r.type} registry <b>{r.id}</b> is unreachable: {r.error}
        </div>
      ))}
    </WarningPanel>
  );
};
