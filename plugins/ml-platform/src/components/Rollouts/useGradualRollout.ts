import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { GradualRollout } from '@mlplatform/plugin-ml-platform-common';
import { mlPlatformApiRef } from '../../api';

/** How often a running gradual rollout is re-read; the backend moves it, not the page. */
const GRADUAL_POLL_MS = 2000;

/**
 * Follows one gradual rollout: re-reads it every 2 s while it runs, and
 * reports each newly applied step so the page can show the new split.
 */
export const useGradualRollout = (
  initial: GradualRollout,
  onStepApplied?: () => void,
) => {
  const api = useApi(mlPlatformApiRef);
  const [rollout, setRollout] = useState(initial);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const lastStep = useRef(initial.currentStep);
  const onStep = useRef(onStepApplied);
  onStep.current = onStepApplied;

  const accept = useCallback((next: GradualRollout) => {
    setRollout(next);
    if (next.currentStep !== lastStep.current) {
      lastStep.current = next.currentStep;
      onStep.current?.();
    }
  }, []);

  useEffect(() => {
    if (rollout.state !== 'running') {
      return undefined;
    }
    const timer = setTimeout(() => {
      api.getGradualRollout(rollout.id).then(
        next => {
          setError(undefined);
          accept(next);
        },
        // Keep polling: the backend may be restarting and resumes the rollout.
        e => {
          setError(e);
          setRollout(r => ({ ...r }));
        },
      );
    }, GRADUAL_POLL_MS);
    return () => clearTimeout(timer);
  }, [api, rollout, accept]);

  const act = useCallback(
    async (action: 'pause' | 'resume' | 'abort') => {
      setBusy(true);
      try {
        const call = {
          pause: api.pauseGradualRollout,
          resume: api.resumeGradualRollout,
          abort: api.abortGradualRollout,
        }[action];
        accept(await call.call(api, rollout.id));
        setError(undefined);
      } catch (e) {
        setError(e as Error);
      } finally {
        setBusy(false);
      }
    },
    [api, rollout.id, accept],
  );

  return { rollout, error, busy, act };
};
