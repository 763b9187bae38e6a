import BuildIcon from '@material-ui/icons/Build';

export const ToolsIcon = () => <BuildIcon fontSize="inherit" />;
