/* vhsm_mac: MAC standard input with a VHSM key, through libvhsm's C API.
 *
 *   cc vhsm_mac.c $(pkg-config --cflags --libs vhsm) -o vhsm_mac
 *   VHSM_SERVER_KEY=/etc/vhsm/vhsmd.pub ./vhsm_mac USER PASSWORD KEY_ID < file
 *
 * Prints the MAC in hex; exits 1 with vhsmd's message on failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vhsm/api/vhsm.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: vhsm_mac USER PASSWORD KEY_ID < input\n");
    return 2;
  }
  static unsigned char data[1 << 20];
  size_t len = fread(data, 1, sizeof(data), stdin);
  char err[256];
  vhsm_session* s = NULL;
  if (vhsm_open(0, 0, &s, err, sizeof(err)) != VHSM_OK) {
    fprintf(stderr, "vhsm_mac: %s\n", err);
    return 1;
  }
  uint8_t mac[64];
  size_t mac_len = sizeof(mac);
  if (vhsm_login(s, argv[1], argv[2], strlen(argv[2])) != VHSM_OK ||
      vhsm_mac(s, argv[3], data, len, mac, &mac_len) != VHSM_OK) {
    fprintf(stderr, "vhsm_mac: %s\n", vhsm_error(s));
    vhsm_close(s);
    return 1;
  }
  for (size_t i = 0; i < mac_len; ++i) printf("%02x", mac[i]);
  printf("\n");
  vhsm_close(s);
  return 0;
}
