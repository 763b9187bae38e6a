// nsproxy forwards TCP connections made to an address inside a network namespace to an
// address of the machine's own network namespace:
//
//	nsproxy NETNS_PATH LISTEN_ADDR TARGET_ADDR
//
// The Argo Rollouts controller binds its health and metrics servers to 0.0.0.0, which
// this project's servers must not: it runs in a network namespace of its own, where only
// this proxy's listener leads out, to the apiserver on the machine's 127.0.0.1.
package main

import (
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"syscall"
)

// listenIn opens a listener inside the network namespace at path: a socket belongs to
// the namespace of the thread that created it, so only that thread enters it, and it
// never runs anything else.
// setns(2) on linux/amd64, the machines' architecture; the syscall package names no constant.
const sysSetns = 308

func listenIn(path, addr string) (net.Listener, error) {
	result := make(chan struct{}, 1)
	var ln net.Listener
	var err error
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		defer func() { result <- struct{}{} }()
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return
		}
		defer f.Close()
		if _, _, errno := syscall.RawSyscall(sysSetns, f.Fd(), syscall.CLONE_NEWNET, 0); errno != 0 {
			err = errno
			return
		}
		ln, err = net.Listen("tcp", addr)
	}()
	<-result
	return ln, err
}

func main() {
	if len(os.Args) != 4 {
		log.Fatalf("usage: %s NETNS_PATH LISTEN_ADDR TARGET_ADDR", os.Args[0])
	}
	ln, err := listenIn(os.Args[1], os.Args[2])
	if err != nil {
		log.Fatalf("listening on %s in %s: %v", os.Args[2], os.Args[1], err)
	}
	target := os.Args[3]
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatalf("accept: %v", err)
		}
		go func(in net.Conn) {
			defer in.Close()
			out, err := net.Dial("tcp", target)
			if err != nil {
				log.Printf("dial %s: %v", target, err)
				return
			}
			defer out.Close()
			go func() { _, _ = io.Copy(out, in); out.(*net.TCPConn).CloseWrite() }()
			_, _ = io.Copy(in, out)
		}(conn)
	}
}
