package net.natgw.esp;

/**
 * The owner of an SA (the IKE layer) hears of its limits here. Each limit is reported at
 * most once per SA, on the packet thread: a listener hands the event over and returns.
 */
public interface SaEventListener {
    SaEventListener NONE = new SaEventListener() {
        @Override
        public void softLimitReached(EspSa sa, LifetimeLimit limit) {}

        @Override
        public void hardLimitReached(EspSa sa, LifetimeLimit limit) {}
    };

    /** Time to rekey: the SA still works. */
    void softLimitReached(EspSa sa, LifetimeLimit limit);

    /** The SA processes no more packets; they are dropped as {@link DropReason#EXPIRED}. */
    void hardLimitReached(EspSa sa, LifetimeLimit limit);
}
