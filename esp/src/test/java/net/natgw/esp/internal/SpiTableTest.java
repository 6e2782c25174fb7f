package net.natgw.esp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpiTableTest {
    @Test
    void behavesLikeAMapUnderRandomInstallsAndRemovals() {
        var table = new SpiTable<String>();
        var reference = new HashMap<Integer, String>();
        var random = new Random(71);
        for (int i = 0; i < 20_000; i++) {
            // strongSwan hands out SPIs close together: draw from a small range to get collisions.
            int spi = 0xc000_0000 + random.nextInt(3000);
            if (random.nextInt(3) == 0) {
                assertEquals(reference.remove(spi) != null, table.remove(spi));
            } else {
                table.put(spi, "sa" + i);
                reference.put(spi, "sa" + i);
            }
            int probe = 0xc000_0000 + random.nextInt(3000);
            assertEquals(reference.get(probe), table.get(probe));
        }
        assertEquals(reference.size(), table.size());
        reference.forEach((spi, sa) -> assertEquals(sa, table.get(spi)));
    }

    @Test
    void emptyTableFindsNothing() {
        var table = new SpiTable<String>();
        assertNull(table.get(1));
        assertFalse(table.remove(1));
        table.put(-1, "x");
        assertTrue(table.remove(-1));
        assertNull(table.get(-1));
    }
}
