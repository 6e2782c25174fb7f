# Sourced by natgw's scripts: the Debian packages the namespace lab needs, installed when missing.
# Package -> a file it installs (the check; dpkg may list half-removed packages as installed).
NATGW_LAB_PACKAGES="
strongswan-swanctl:/usr/sbin/swanctl
strongswan-charon:/usr/lib/ipsec/charon
libcharon-extra-plugins:/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
libstrongswan-standard-plugins:/usr/lib/ipsec/plugins/libstrongswan-openssl.so
libstrongswan-extra-plugins:/usr/lib/ipsec/plugins/libstrongswan-curve25519.so
libcharon-extauth-plugins:/usr/lib/ipsec/plugins/libstrongswan-eap-mschapv2.so
freeradius:/usr/sbin/freeradius
iproute2:/usr/bin/ip
iptables:/usr/sbin/iptables
nftables:/usr/sbin/nft
conntrack:/usr/sbin/conntrack
iperf3:/usr/bin/iperf3
iputils-ping:/usr/bin/ping
tcpdump:/usr/bin/tcpdump
libpcap0.8:/usr/lib/x86_64-linux-gnu/libpcap.so.0.8
python3-minimal:/usr/bin/python3
openssl:/usr/bin/openssl
"
# Only the tunnel baseline (scripts/bench-tunnels) needs these.
NATGW_BENCH_PACKAGES="
wireguard-go:/usr/bin/wireguard-go
wireguard-tools:/usr/bin/wg
"

# natgw_install_packages LIST: installs what is missing (as root, with apt-get), or names it and fails.
natgw_install_packages() {
    local missing="" entry
    for entry in $1; do
        [ -e "${entry#*:}" ] || missing="$missing ${entry%%:*}"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "natgw: missing packages:$missing (install them as root: apt-get install$missing)" >&2
        return 1
    fi
    echo "natgw: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2
}
