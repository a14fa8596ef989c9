/** How hard sign-in throttling holds (login-throttle.service.ts): limits, window and lockout. */
export interface LoginThrottleSettings {
  /** Failures of one account name within the window that lock it. */
  maxFailuresPerAccount: number;
  /** Failures from one client address (any names) within the window that lock it. */
  maxFailuresPerIp: number;
  failureWindowMinutes: number;
  lockoutMinutes: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = Object.freeze({
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
  failureWindowMinutes: 15,
  lockoutMinutes: 15,
});

/** The settings from the environment (src/config/config.ts). */
export function loginThrottleSettings(config: {
  LOGIN_MAX_FAILURES: number;
  LOGIN_MAX_FAILURES_PER_IP: number;
  LOGIN_FAILURE_WINDOW_MINUTES: number;
  LOGIN_LOCKOUT_MINUTES: number;
}): LoginThrottleSettings {
  return {
    maxFailuresPerAccount: config.LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
    failureWindowMinutes: config.LOGIN_FAILURE_WINDOW_MINUTES,
    lockoutMinutes: config.LOGIN_LOCKOUT_MINUTES,
  };
}
