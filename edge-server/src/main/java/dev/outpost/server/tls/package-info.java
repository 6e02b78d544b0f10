/** TLS for the server's port (HTTPS and WSS): PEM certificates, TLS versions, self-signed development certificates. */
package dev.outpost.server.tls;
