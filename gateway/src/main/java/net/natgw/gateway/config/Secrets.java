package net.natgw.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.natgw.ike.config.PreSharedKeys;
import net.natgw.ike.message.IdPayload;

/**
 * swanctl.conf's {@code secrets}: IKE pre-shared keys ({@code ike<suffix>}) with the identities
 * they belong to, EAP passwords ({@code eap<suffix>}) with the EAP identities they belong to, and
 * private key files with their passphrases ({@code private<suffix>},
 * {@code rsa<suffix>}, {@code ecdsa<suffix>}, {@code pkcs8<suffix>}), each file named relative
 * to the directory of that name beside swanctl.conf.
 */
final class Secrets {
    static final List<String> KEY_DIRECTORIES = List.of("private", "rsa", "ecdsa", "pkcs8");
    private static final List<String> NOT_IMPLEMENTED = List.of("xauth", "ntlm", "pkcs12", "token");

    /** strongSwan's identity match qualities (ID_MATCH_NONE, ID_MATCH_ANY, ID_MATCH_PERFECT). */
    private static final int NONE = 0;

    private static final int ANY = 1;
    private static final int PERFECT = 20;

    /** A pre-shared key and its owners; an empty owner is {@code %any}, no owners at all is everyone. */
    record SharedKey(String path, List<Optional<IdPayload>> owners, byte[] secret) {}

    /** A private key that a {@code secrets} section names, loaded with its passphrase. */
    record KeyFile(Path file, PrivateKey key) {}

    private final List<SharedKey> shared;
    private final List<KeyFile> keys;
    private final Map<String, String> eap;

    private Secrets(List<SharedKey> shared, List<KeyFile> keys, Map<String, String> eap) {
        this.shared = List.copyOf(shared);
        this.keys = List.copyOf(keys);
        this.eap = Map.copyOf(eap);
    }

    static Secrets read(Optional<Node> secrets, Path dir) throws ConfigException {
        var shared = new ArrayList<SharedKey>();
        var keys = new ArrayList<KeyFile>();
        var eap = new LinkedHashMap<String, String>();
        if (secrets.isEmpty()) {
            return new Secrets(shared, keys, eap);
        }
        secrets.get().onlyKeys(List.of(), List.of());
        for (Node s : secrets.get().children()) {
            String name = s.name();
            Optional<String> keyType =
                    KEY_DIRECTORIES.stream().filter(name::startsWith).findFirst();
            if (name.startsWith("ike")) {
                shared.add(sharedKey(s));
            } else if (name.startsWith("eap")) {
                eapSecret(s, eap);
            } else if (keyType.isPresent()) {
                keys.add(keyFile(s, dir.resolve(keyType.get())));
            } else if (NOT_IMPLEMENTED.stream().anyMatch(name::startsWith)) {
                throw s.error("a strongSwan secret type natgw does not implement; remove it");
            } else {
                throw s.error(
                        "unknown section (expected ike<suffix>, eap<suffix>, private<suffix>, rsa<suffix>, ecdsa<suffix>"
                                + " or pkcs8<suffix>)");
            }
        }
        return new Secrets(shared, keys, eap);
    }

    /** The EAP password of each EAP identity (strongSwan's {@code eap<suffix>}), the first written winning. */
    Map<String, String> eapSecrets() {
        return eap;
    }

    List<KeyFile> keys() {
        return keys;
    }

    /**
     * The shared key for a pair of identities, chosen as strongSwan chooses: each key scores how
     * well its owners match our identity plus how well they match the peer's; a key with owners
     * that match neither is out, a key without owners matches both as "any"; the best score wins,
     * the first written on a tie. The peer's identity is only known here when {@code remote.id}
     * names it.
     */
    Optional<SharedKey> sharedKey(IdPayload local, Optional<IdPayload> remote) {
        SharedKey best = null;
        int bestScore = NONE;
        for (SharedKey key : shared) {
            int mine = match(key.owners(), Optional.of(local));
            int theirs = match(key.owners(), remote);
            if (mine + theirs > bestScore && (key.owners().isEmpty() || mine > NONE || theirs > NONE)) {
                best = key;
                bestScore = mine + theirs;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The keys of a connection: the one for the identity pair as configured and, when the peer
     * may be anyone ({@code remote.id = %any}), the better-matched key of each identity a secret
     * names, for the lookup by the peer's ID at IKE_AUTH. Empty when no key fits the pair.
     */
    Optional<PreSharedKeys> sharedKeys(IdPayload local, Optional<IdPayload> remote) {
        Optional<SharedKey> general = sharedKey(local, remote);
        if (general.isEmpty() || remote.isPresent()) {
            return general.map(k -> PreSharedKeys.of(k.secret()));
        }
        var byPeer = new ArrayList<PreSharedKeys.PeerKey>();
        for (SharedKey key : shared) {
            for (Optional<IdPayload> owner : key.owners()) {
                if (owner.isEmpty()
                        || owner.get().sameIdentity(local)
                        || byPeer.stream().anyMatch(k -> k.peer().sameIdentity(owner.get()))) {
                    continue;
                }
                sharedKey(local, owner)
                        .filter(best -> best != general.get())
                        .ifPresent(best -> byPeer.add(new PreSharedKeys.PeerKey(owner.get(), best.secret())));
            }
        }
        return Optional.of(PreSharedKeys.of(general.get().secret(), byPeer));
    }

    private static int match(List<Optional<IdPayload>> owners, Optional<IdPayload> id) {
        if (owners.isEmpty()) {
            return ANY;
        }
        int best = NONE;
        for (Optional<IdPayload> owner : owners) {
            if (owner.isEmpty()) {
                best = Math.max(best, ANY);
            } else if (id.isPresent() && owner.get().sameIdentity(id.get())) {
                best = PERFECT;
            }
        }
        return best;
    }

    private static SharedKey sharedKey(Node s) throws ConfigException {
        var owners = new ArrayList<Optional<IdPayload>>();
        byte[] secret = null;
        for (Field f : s.fields()) {
            if (f.key().equals("secret")) {
                secret = secret(f);
            } else if (f.key().startsWith("id")) {
                owners.add(
                        Identities.isAny(f.text())
                                ? Optional.empty()
                                : Optional.of(Identities.parse(f, f.text(), true)));
            } else {
                throw f.error("unknown key (expected secret, id<suffix>)");
            }
        }
        s.onlySections(List.of(), List.of());
        if (secret == null) {
            throw s.missing("secret", "required: the pre-shared key");
        }
        return new SharedKey(s.path(), owners, secret);
    }

    /** {@code eap<suffix> { id<suffix> = user; secret = password }}: the password of each identity named. */
    private static void eapSecret(Node s, Map<String, String> into) throws ConfigException {
        var ids = new ArrayList<String>();
        String secret = null;
        for (Field f : s.fields()) {
            if (f.key().equals("secret")) {
                secret = new String(secret(f), StandardCharsets.UTF_8);
            } else if (f.key().startsWith("id")) {
                if (Identities.isAny(f.text())) {
                    throw f.error("an EAP secret belongs to one user: name it");
                }
                ids.add(f.text());
            } else {
                throw f.error("unknown key (expected secret, id<suffix>)");
            }
        }
        s.onlySections(List.of(), List.of());
        if (secret == null) {
            throw s.missing("secret", "required: the user's password");
        }
        if (ids.isEmpty()) {
            throw s.missing("id", "required: the EAP identity (user name) the password belongs to");
        }
        for (String id : ids) {
            into.putIfAbsent(id, secret);
        }
    }

    /** strongSwan's secret: {@code 0x} and hex, {@code 0s} and base64, or the string itself. */
    private static byte[] secret(Field f) throws ConfigException {
        String text = f.text();
        byte[] secret;
        try {
            secret = text.startsWith("0x")
                    ? HexFormat.of().parseHex(text.substring(2))
                    : text.startsWith("0s")
                            ? Base64.getDecoder().decode(text.substring(2))
                            : text.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw f.error("not " + (text.startsWith("0x") ? "hex" : "base64") + " after \"" + text.substring(0, 2)
                    + "\": " + e.getMessage());
        }
        if (secret.length == 0) {
            throw f.error("the secret is empty");
        }
        return secret;
    }

    private static KeyFile keyFile(Node s, Path directory) throws ConfigException {
        s.onlyKeys(List.of("file", "secret"), List.of());
        s.onlySections(List.of(), List.of());
        Field file = s.field("file").orElseThrow(() -> s.missing("file", "required: the key's file in " + directory));
        Optional<String> passphrase = s.field("secret").map(Field::text);
        Path path = directory.resolve(file.text());
        if (!Files.isRegularFile(path)) {
            throw file.error("no such file " + path);
        }
        try {
            return new KeyFile(path, PemFiles.privateKey(path, passphrase));
        } catch (IOException e) {
            throw file.error(path + ": " + e.getMessage());
        }
    }
}
