import type { ViewContext } from './context';

/**
 * Runs one action from a button: the button is disabled while it runs, Key Vault's message goes to the alert
 * area on failure, and the page reads the vault again on success so every view shows the outcome.
 */
export async function act(context: ViewContext, button: HTMLButtonElement, done: string, work: () => Promise<unknown>, after?: () => void): Promise<void> {
  button.disabled = true;
  try {
    await work();
    context.notify(done);
    await context.refresh();
    after?.();
  } catch (error) {
    context.showError(error);
    button.disabled = false;
  }
}

/** A destructive action asks first, in words that say what goes and what stays. */
export function confirmed(question: string): boolean {
  return window.confirm(question);
}
