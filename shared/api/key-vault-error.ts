/**
 * An error that a caller should see, in Key Vault's shape: an HTTP status, an `error.code`, a message and
 * optionally an inner code. Everything the API layer refuses is one of these; anything else is a bug and
 * is answered 500 without details.
 */
export class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'KeyVaultError';
  }

  toBody(): KeyVaultErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

export interface KeyVaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}
