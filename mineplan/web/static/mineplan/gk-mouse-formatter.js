function (lng, lat) {
  var deg = (lng < 0 ? '西经 ' : '东经 ') + Math.abs(lng).toFixed(6) + '°，'
          + (lat < 0 ? '南纬 ' : '北纬 ') + Math.abs(lat).toFixed(6) + '°';
  var zone = Math.round(lng / 3);
  if (zone < 25 || zone > 45 || lat < 0) { return '经纬度：' + deg; }
  var a = 6378137.0, f = 1 / 298.257222101, e2 = f * (2 - f), ep2 = e2 / (1 - e2);
  var e4 = e2 * e2, e6 = e4 * e2, r = Math.PI / 180;
  var phi = lat * r, s = Math.sin(phi), c = Math.cos(phi), t = Math.tan(phi);
  var N = a / Math.sqrt(1 - e2 * s * s), T = t * t, C = ep2 * c * c;
  var A = (lng - 3 * zone) * r * c;
  var M = a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
      - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * Math.sin(2 * phi)
      + (15 * e4 / 256 + 45 * e6 / 1024) * Math.sin(4 * phi)
      - (35 * e6 / 3072) * Math.sin(6 * phi));
  var x = N * (A + (1 - T + C) * Math.pow(A, 3) / 6
      + (5 - 18 * T + T * T + 72 * C - 58 * ep2) * Math.pow(A, 5) / 120);
  var y = M + N * t * (A * A / 2 + (5 - T + 9 * C + 4 * C * C) * Math.pow(A, 4) / 24
      + (61 - 58 * T + T * T + 600 * C - 330 * ep2) * Math.pow(A, 6) / 720);
  return '经纬度：' + deg + ' ｜ CGCS2000 3度带第' + zone + '带（EPSG:' + (4488 + zone)
       + '）X ' + y.toFixed(2) + ' Y ' + (zone * 1e6 + 500000 + x).toFixed(2);
}
