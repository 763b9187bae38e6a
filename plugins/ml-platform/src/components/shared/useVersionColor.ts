import { useTheme } from '@material-ui/core/styles';
import { versionColor } from './versionColor';

/** `versionColor` for the theme the page is drawn in. */
export const useVersionColor = () => {
  const mode = useTheme()?.palette?.type === 'dark' ? 'dark' : 'light';
  return (version: string) => versionColor(version, mode);
};
