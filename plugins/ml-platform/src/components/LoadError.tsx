import { WarningPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { Button, Flex, Text } from '@backstage/ui';
import { errorMessage } from './errorMessage';

const whatToDo = (error: Error): string => {
  if (!ResponseError.is(error)) {
    return 'The ML Platform backend did not answer. Check your connection and that the Backstage backend is running, then try again.';
  }
  switch (error.statusCode) {
    case 401:
    case 403:
      return 'You lack the ml-platform.model.read permission. Ask the Backstage admins to grant it to you or your team.';
    case 404:
      return 'The ML Platform backend plugin is not installed in this Backstage backend. Ask the Backstage admins to add @mlplatform/plugin-ml-platform-backend.';
    case 503:
      return 'A source the ML Platform reads (the message names it) does not answer, so the backend cannot tell. Try again once it is back; if it stays down, tell the team that runs it.';
    default:
      return 'The ML Platform backend failed. Try again; if it keeps failing, its logs say why.';
  }
};

/** A failed request, with the server's reason and what the user can do about it. */
export const LoadError = ({
  what,
  error,
  onRetry,
}: {
  /** What could not be loaded, e.g. "the models". */
  what: string;
  error: Error;
  onRetry?: () => void;
}) => {
  return (
    <WarningPanel
      severity="error"
      title={`Could not load ${what}: ${errorMessage(error)}`}
      defaultExpanded
    >
      <Flex direction="column" gap="2" align="start">
        <Text>{whatToDo(error)}</Text>
        {onRetry && (
          <Button variant="secondary" size="small" onPress={onRetry}>
            Try again
          </Button>
        )}
      </Flex>
    </WarningPanel>
  );
};
