/** Server configuration: every setting's name, default and validation in one place ({@link dev.outpost.server.config.ServerConfig}). */
package dev.outpost.server.config;
