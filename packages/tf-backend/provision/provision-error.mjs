/** A provisioning step failed; `hint` says how to fix it. */
export class ProvisionError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}
