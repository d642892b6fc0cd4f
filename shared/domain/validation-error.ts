/** A rule of the domain was broken by the caller's input; the API answers it as 400 BadParameter. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}
