#!/usr/bin/env python3
"""Sends N VXLAN datagrams (VNI 100, a 60-byte IPv4/UDP frame) to 127.0.0.1:PORT, paced at RATE/s.
Usage: python3 bench/scripts/udp_send.py PORT RATE N   (against serve --vxlan-port PORT; compare the
agents' received count, and the kernel's RcvbufErrors in /proc/net/snmp)"""
import socket,time,sys
port=int(sys.argv[1]); rate=int(sys.argv[2]); n=int(sys.argv[3])
f=bytes.fromhex('ffffffffffff0200000000010800')+bytes.fromhex('4500002e000100004011000'+'0'+'7f0000017f000001')+bytes(26)
d=bytes([8,0,0,0,0,0,100,0])+f
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
a=('127.0.0.1',port)
t0=time.time(); sent=0
while sent<n:
    target=int((time.time()-t0)*rate)+100
    while sent<min(target,n):
        s.sendto(d,a); sent+=1
el=time.time()-t0
print("sent",sent,"in %.2f s: %.0f datagrams/s"%(el,sent/el))
