export { createRegistrySnapshotStore } from './createRegistrySnapshotStore';
export { createSharedRegistryReads } from './createSharedRegistryReads';
export type {
  RegistryRead,
  SharedRegistryReads,
} from './createSharedRegistryReads';
export type {
  RegistrySnapshot,
  RegistrySnapshotStore,
  SnapshotHead,
} from './types';
