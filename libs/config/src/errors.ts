export enum ConfigErrorCode {
  Invalid = 'INVALID',
}

export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = ConfigErrorCode.Invalid;
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.variable}: ${i.message}`).join('; '));
  }
}
