package io.mirrorgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The console's top conversations are kept only while asked, and never past their bound over all agents. */
class ConsoleTopsTest {
    @Test
    void rowsAreHeldOnlyUpToTheBoundOverAllAgents() {
        ConsoleTops t = new ConsoleTops();
        int perAgent = 40;
        int agents = ConsoleTops.MAX_ROWS / perAgent;
        for (int k = 0; k < agents; k++) {
            assertTrue(t.take(0, perAgent));
        }
        assertEquals(ConsoleTops.MAX_ROWS, t.rows());
        assertFalse(t.take(0, 1), "one row over the bound");
        assertEquals(ConsoleTops.MAX_ROWS, t.rows(), "a refused agent holds nothing");
        assertTrue(t.take(perAgent, perAgent - 10), "an agent renewing with fewer rows fits");
        assertTrue(t.take(0, 10));
        t.release(perAgent);
        assertEquals(ConsoleTops.MAX_ROWS - perAgent, t.rows());
    }

    @Test
    void wantedForTenSecondsAfterEachRequest() {
        ConsoleTops t = new ConsoleTops();
        long now = System.currentTimeMillis();
        assertFalse(t.wanted(now), "nobody asked yet: no agent copies anything");
        t.asked();
        assertTrue(t.wanted(System.currentTimeMillis()));
        assertFalse(t.wanted(System.currentTimeMillis() + ConsoleTops.WANTED_FOR_MS + 1));
    }
}
