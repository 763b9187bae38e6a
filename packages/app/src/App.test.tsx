import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('composes every discovered plugin into an app that offers sign-in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByRole('button', { name: 'Enter' }, { timeout: 60_000 }),
    ).toBeInTheDocument();
  });
});
