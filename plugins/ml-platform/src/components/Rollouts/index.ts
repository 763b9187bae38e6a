export { ChangeTrafficButton } from './ChangeTrafficButton';
export { RolloutHistory } from './RolloutHistory';
