import ModelTrainingIcon from '@material-ui/icons/DeviceHub';

export const ModelIcon = () => <ModelTrainingIcon fontSize="inherit" />;
