import type {
  RolloutAuditRecord,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';

/** A registry alias moved along with a rollout, as the audit trail keeps it. */
export type AliasChange = NonNullable<RolloutAuditRecord['aliasChange']>;

/** The alias operations of a registry client (MlflowClient has them). */
export interface AliasClient {
  getAliasVersion(model: string, alias: string): Promise<string | undefined>;
  setAlias(model: string, alias: string, version: string): Promise<void>;
  deleteAlias(model: string, alias: string): Promise<void>;
}

/** Keeps the registry alias that names the serving version in step with rollouts. */
export interface ServingAliasMover {
  /**
   * Moves the alias for a rollout whose traffic write succeeded: to the
   * promoted version on a full promote, back to where it was on a rollback of
   * a rollout that moved it. Resolves with what changed, or undefined when
   * the rollout moves no alias. Rejects when the registry refuses, or when
   * the alias was moved by someone else since the rollout being undone.
   */
  move(input: {
    request: RolloutRequest;
    /** The registry the model was found in. */
    registryId: string;
    /** For a rollback: the record of the rollout it undoes. */
    undone?: RolloutAuditRecord;
  }): Promise<AliasChange | undefined>;
}

export function createServingAliasMover(options: {
  /** Registries that support aliases, by id; models of others move no alias. */
  clients: ReadonlyMap<string, AliasClient>;
  /** The alias naming the serving version, e.g. `champion`. */
  alias: string;
}): ServingAliasMover {
  const { clients, alias } = options;

  return {
    async move({ request, registryId, undone }) {
      const client = clients.get(registryId);
      if (!client) return undefined;
      const model = request.model;

      if (request.strategy === 'promote') {
        // One Argo step further is not the end of the rollout yet.
        if (request.nextStepOnly || !request.target) return undefined;
        const to = request.target.version;
        const from = await client.getAliasVersion(model, alias);
        if (from === to) return undefined;
        await client.setAlias(model, alias, to);
        return { alias, ...(from !== undefined && { from }), to };
      }

      if (request.strategy === 'rollback') {
        const moved = undone?.aliasChange;
        if (!moved || moved.alias !== alias) return undefined;
        const now = await client.getAliasVersion(model, alias);
        if (now !== moved.to) {
          // Someone pointed it elsewhere since; their choice wins.
          throw new Error(
            `alias '${alias}' of ${model} points at ${
              now === undefined ? 'no version' : `version ${now}`
            }, not at version ${
              moved.to
            } as the rolled back rollout left it, so it was left as it is`,
          );
        }
        if (moved.from === undefined) {
          // The promote created the alias; removing it restores the registry,
          // and a removal is no move the audit record can name.
          await client.deleteAlias(model, alias);
          return undefined;
        }
        await client.setAlias(model, alias, moved.from);
        return { alias, from: moved.to, to: moved.from };
      }
      return undefined;
    },
  };
}
