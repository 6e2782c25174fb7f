package net.natgw.ike.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import net.natgw.ike.message.Algorithms;
import net.natgw.ike.message.Proposal;
import net.natgw.ike.message.Transform;
import org.junit.jupiter.api.Test;

/** Windows' default IKE proposals are all MODP_1024: natgw's defaults refuse them and say why. */
class WeakSuitesTest {
    /** What Windows 10 and 11 propose unless reconfigured (strongSwan's syntax). */
    private static final String WINDOWS = "aes256-sha1-modp1024,aes128-sha1-modp1024,aes256-sha256-modp1024";

    @Test
    void windowsDefaultsMatchNothingOfNatgwsDefaultsAndTheRefusalNamesTheGroup() {
        List<Proposal> windows = ProposalParser.parseList(WINDOWS, Proposal.IKE);
        List<Proposal> defaults = ProposalParser.parseList(
                "aes128gcm16-aes256gcm16-prfsha256-prfsha384-x25519-ecp256-modp3072-modp2048,"
                        + "aes128-aes256-sha256-sha384-x25519-ecp256-modp3072-modp2048",
                Proposal.IKE);
        assertEquals(Optional.empty(), ProposalSelection.select(defaults, windows));
        String why = WeakSuites.onlyWeak(windows).orElseThrow();
        assertTrue(why.contains("(modp1024)") && why.contains("proposals"), why);
    }

    @Test
    void aServerThatNamesTheGroupTakesWindowsProposals() {
        List<Proposal> windows = ProposalParser.parseList(WINDOWS, Proposal.IKE);
        Proposal chosen = ProposalSelection.select(
                        ProposalParser.parseList("aes256-sha256-x25519,aes256-sha1-modp1024", Proposal.IKE), windows)
                .orElseThrow();
        assertEquals(Algorithms.MODP_1024, chosen.ofType(Transform.KE).get(0).id());
    }

    @Test
    void aPeerWithOneStrongProposalGetsNoSuchNote() {
        List<Proposal> mixed = ProposalParser.parseList("aes256-sha1-modp1024,aes256-sha256-ecp384", Proposal.IKE);
        assertEquals(Optional.empty(), WeakSuites.onlyWeak(mixed));
        assertEquals(Optional.empty(), WeakSuites.onlyWeak(List.of()));
    }
}
