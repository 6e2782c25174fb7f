/**
 * The natgw daemon and its command line: swanctl.conf, the TUN device and the data plane, the
 * SAs' lifecycle, the control socket. The lab (testbeds) drives the daemon through its control
 * socket and reads its commands' output.
 */
module net.natgw.gateway {
    requires net.natgw.ike;
    requires com.sun.jna;
    requires jdk.net;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires org.slf4j;

    exports net.natgw.gateway.cli;
    exports net.natgw.gateway.control;
    exports net.natgw.gateway.daemon;
}
