/**
 * A circuit breaker for a backend we can do without (Redis): after
 * `failureThreshold` failures in a row it opens, and callers skip the backend
 * at once instead of each waiting for its own timeout. While open, one probe
 * per `openMs` may test the backend (`tryProbe`); its success closes the
 * breaker, its failure keeps it open for another `openMs`.
 */
export interface CircuitBreakerOptions {
  readonly failureThreshold: number
  readonly openMs: number
  readonly onOpen?: () => void
  readonly onClose?: () => void
  readonly now?: () => number
}

export class CircuitBreaker {
  private failures = 0
  private openedAt: number | undefined = undefined
  private probing = false
  private readonly options: CircuitBreakerOptions

  constructor(options: CircuitBreakerOptions) {
    this.options = options
  }

  private now() {
    return (this.options.now ?? Date.now)()
  }

  get isOpen() {
    return this.openedAt !== undefined
  }

  succeeded() {
    this.failures = 0
  }

  failed() {
    if (this.isOpen || ++this.failures < this.options.failureThreshold) return
    this.openedAt = this.now()
    this.options.onOpen?.()
  }

  /**
   * Runs `probe` when the breaker is open, its wait is over and no probe is
   * running; returns at once either way (the probe runs in the background).
   */
  tryProbe(probe: () => Promise<unknown>) {
    if (this.openedAt === undefined || this.probing || this.now() - this.openedAt < this.options.openMs) return
    this.probing = true
    probe().then(
      () => {
        this.probing = false
        this.failures = 0
        this.openedAt = undefined
        this.options.onClose?.()
      },
      () => {
        this.probing = false
        this.openedAt = this.now()
      }
    )
  }
}
