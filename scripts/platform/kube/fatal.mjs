/**
 * A failure the scripts explain in one sentence of their own: printed as
 * `ERROR: <message>` without a stack, exit status 1.
 */
export class Fatal extends Error {}

/**
 * Errors whose message says it all: the Kubernetes client's (an apiserver's
 * answer in `kubeStatus`, or the `reason` there was none) and the system's,
 * such as a missing file.
 */
function isExplained(error) {
  return (
    error instanceof Fatal ||
    error?.kubeStatus !== undefined ||
    (/^Kube[A-Za-z]*Error$/.test(error?.name) && error.reason !== undefined) ||
    typeof error?.code === 'string'
  );
}

/**
 * Runs a command's main function: ERROR lines on stderr and exit status 1 on
 * failure, as the shell scripts that call it expect; a stack only for what
 * is a bug here.
 */
export async function runMain(main) {
  try {
    await main();
  } catch (error) {
    console.error(
      `ERROR: ${isExplained(error) ? error.message : error?.stack}`,
    );
    process.exitCode = 1;
  }
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
