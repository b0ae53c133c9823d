#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {

const Op* Find(proto::Request::OpCase op) {
  using R = proto::Request;
  static const Op kOpenSession{OpenSession, Need::kNothing};
  static const Op kServerKey{ServerKey, Need::kNothing};
  static const Op kCloseSession{CloseSession, Need::kSession};
  static const Op kLogin{Login, Need::kSession};
  static const Op kLogout{Logout, Need::kSession};
  static const Op kKeyGenerate{KeyGenerate, Need::kLogin};
  static const Op kKeyImport{KeyImport, Need::kLogin};
  static const Op kKeyDelete{KeyDelete, Need::kLogin};
  static const Op kKeyList{KeyList, Need::kLogin};
  static const Op kKeyInfo{KeyInfo, Need::kLogin};
  static const Op kKeyPublic{KeyPublic, Need::kLogin};
  static const Op kContextInit{ContextInit, Need::kSession};
  static const Op kContextUpdate{ContextUpdate, Need::kSession};
  static const Op kContextFinal{ContextFinal, Need::kSession};
  static const Op kDigest{Digest, Need::kSession};
  static const Op kMac{Mac, Need::kLogin};
  static const Op kEncrypt{Encrypt, Need::kLogin};
  static const Op kDecrypt{Decrypt, Need::kLogin};
  static const Op kSign{Sign, Need::kLogin};
  static const Op kVerify{Verify, Need::kLogin};
  static const Op kContainerAttach{ContainerAttach, Need::kHostRoot};
  static const Op kContainerDetach{ContainerDetach, Need::kHostRoot};
  static const Op kContainerList{ContainerList, Need::kHostRoot};
  static const Op kUserAdd{UserAdd, Need::kHostRoot};
  static const Op kUserDelete{UserDelete, Need::kHostRoot};
  static const Op kUserList{UserList, Need::kHostRoot};
  static const Op kUserPassword{UserPassword, Need::kHostRoot};
  switch (op) {
    case R::kOpenSession:
      return &kOpenSession;
    case R::kServerKey:
      return &kServerKey;
    case R::kCloseSession:
      return &kCloseSession;
    case R::kLogin:
      return &kLogin;
    case R::kLogout:
      return &kLogout;
    case R::kKeyGenerate:
      return &kKeyGenerate;
    case R::kKeyImport:
      return &kKeyImport;
    case R::kKeyDelete:
      return &kKeyDelete;
    case R::kKeyList:
      return &kKeyList;
    case R::kKeyInfo:
      return &kKeyInfo;
    case R::kKeyPublic:
      return &kKeyPublic;
    case R::kDigestInit:
    case R::kMacInit:
      return &kContextInit;
    case R::kDigestUpdate:
    case R::kMacUpdate:
      return &kContextUpdate;
    case R::kDigestFinal:
    case R::kMacFinal:
      return &kContextFinal;
    case R::kDigest:
      return &kDigest;
    case R::kMac:
      return &kMac;
    case R::kEncrypt:
      return &kEncrypt;
    case R::kDecrypt:
      return &kDecrypt;
    case R::kSign:
      return &kSign;
    case R::kVerify:
      return &kVerify;
    case R::kContainerAttach:
      return &kContainerAttach;
    case R::kContainerDetach:
      return &kContainerDetach;
    case R::kContainerList:
      return &kContainerList;
    case R::kUserAdd:
      return &kUserAdd;
    case R::kUserDelete:
      return &kUserDelete;
    case R::kUserList:
      return &kUserList;
    case R::kUserPassword:
      return &kUserPassword;
    default:
      return nullptr;
  }
}

}  // namespace vhsm::server::ops
