package net.natgw.esp.internal;

/**
 * A map from SPI to value for the packet path: reads take no lock and allocate nothing
 * (no boxed keys); writes, rare, copy the table and publish it with one volatile store.
 */
public final class SpiTable<V> {
    private record Table(int[] keys, Object[] values, int size) {
        int mask() {
            return keys.length - 1;
        }
    }

    private volatile Table table = new Table(new int[8], new Object[8], 0);

    @SuppressWarnings("unchecked")
    public V get(int spi) {
        Table t = table;
        for (int i = slot(spi, t); t.values[i] != null; i = (i + 1) & t.mask()) {
            if (t.keys[i] == spi) {
                return (V) t.values[i];
            }
        }
        return null;
    }

    /** Adds or replaces the value of an SPI. */
    public synchronized void put(int spi, V value) {
        Table t = copyWithout(spi, table.size() + 1);
        insert(t, spi, value);
        table = new Table(t.keys, t.values, t.size + 1);
    }

    /** @return whether the SPI was present */
    public synchronized boolean remove(int spi) {
        if (get(spi) == null) {
            return false;
        }
        table = copyWithout(spi, table.size());
        return true;
    }

    public int size() {
        return table.size();
    }

    /** A fresh table, at most half full with {@code capacityFor} entries, holding all but {@code spi}. */
    private Table copyWithout(int spi, int capacityFor) {
        Table old = table;
        int length = Math.max(8, Integer.highestOneBit(Math.max(1, capacityFor * 2 - 1)) << 1);
        var fresh = new Table(new int[length], new Object[length], 0);
        int size = 0;
        for (int i = 0; i < old.keys.length; i++) {
            if (old.values[i] != null && old.keys[i] != spi) {
                insert(fresh, old.keys[i], old.values[i]);
                size++;
            }
        }
        return new Table(fresh.keys, fresh.values, size);
    }

    private static void insert(Table t, int spi, Object value) {
        int i = slot(spi, t);
        while (t.values[i] != null) {
            i = (i + 1) & t.mask();
        }
        t.keys[i] = spi;
        t.values[i] = value;
    }

    /** SPIs are often sequential (strongSwan allocates them so); spread them with a Fibonacci hash. */
    private static int slot(int spi, Table t) {
        int h = spi * 0x9E3779B9;
        return (h ^ h >>> 16) & t.mask();
    }
}
