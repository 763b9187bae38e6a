export { ModelSearchResultListItem } from './ModelSearchResultListItem';
